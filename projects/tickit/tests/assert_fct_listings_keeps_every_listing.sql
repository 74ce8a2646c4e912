-- fct_listings has exactly one row per listing

with staged as (

    select count(*) as staged from {{ ref('stg_tickit__listings') }}

),

in_mart as (

    select count(*) as in_mart from {{ ref('fct_listings') }}

)

select *
from staged
    cross join in_mart
where staged <> in_mart
