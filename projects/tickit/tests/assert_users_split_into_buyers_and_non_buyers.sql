-- every user is either a buyer or a non-buyer, never both or neither

with users as (

    select count(*) as users from {{ ref('stg_tickit__users') }}

),

buyers as (

    select count(*) as buyers from {{ ref('int_buyers_extracted_from_users') }}

),

non_buyers as (

    select count(*) as non_buyers from {{ ref('dim_non_buyers') }}

)

select *
from users
    cross join buyers
    cross join non_buyers
where buyers + non_buyers <> users
