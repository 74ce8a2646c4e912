-- dim_events' ticket totals agree with the sales they summarise

with in_dim as (

    select sum(tickets_sold) as in_dim from {{ ref('dim_events') }}

),

in_sales as (

    select sum(qty_sold) as in_sales from {{ ref('stg_tickit__sales') }}

)

select *
from in_dim
    cross join in_sales
where in_dim <> in_sales
